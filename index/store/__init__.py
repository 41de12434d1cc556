"""The vector store: passages and their sentences embedded in FAISS, saved with a manifest, checked at load."""
