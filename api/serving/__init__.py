"""Serving pieces of the HTTP service: the model micro-batcher and the answer cache."""
