"""Measuring claim extraction against brat-annotated attribution corpora such as PolNeAR."""
