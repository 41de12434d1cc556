"""The Advisor's pipeline: content -> chunks -> embeddings -> index -> retrieval -> answer."""
