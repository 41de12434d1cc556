"""The reader: the question encoder trained on labelled asks, with the ranker and abstention check fitted to it."""
