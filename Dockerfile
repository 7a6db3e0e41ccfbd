# The Airflow image for docker-compose.yml: the official image plus claimflow's pinned requirements.
# AIRFLOW_VERSION must equal the apache-airflow pin in requirements.txt (tests/test_compose.py checks);
# python3.11 is the interpreter requirements.txt was resolved with.
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11

COPY requirements.txt /requirements.txt
RUN pip install --no-cache-dir -r /requirements.txt
