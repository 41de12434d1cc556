"""Answering: the Advisor (the one ask flow), composing quoted blocks and citations, the reply as read."""
