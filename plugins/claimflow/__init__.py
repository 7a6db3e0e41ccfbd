"""claimflow: a nightly news-claims pipeline for Apache Airflow 3."""

__version__ = "0.1.0"
