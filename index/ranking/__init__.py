"""Ranking passages: retrieval signals and the fitted ranker, who a rule binds, and the abstention check."""
