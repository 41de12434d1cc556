"""The Advisor's library, one sub-package a stage; a module imports only from the stages above it in this list.

    text.py, checksums.py, errors.py   shared by every stage: text handling, file hashes, domain errors
    guides/    Markdown guides -> blocks -> passages (chunks) -> answer units; suggested questions
    model/     the bundled MiniLM: its files and checks, its ONNX export, the encoder that runs it
    store/     the vector store: passages and answer units embedded in FAISS, a manifest, built and loaded whole
    query/     reading a message: its asks, situation and follow-ups; the field's vocabulary; spelling repair
    ranking/   retrieval signals and the fitted ranker, whose rule a list states, the abstention check
    answer/    the Advisor (the one ask flow: read -> embedding_texts -> answer), composing quotes and citations
    evaluation.py   answer-quality metrics and the readability check (make eval, the tests)
    drafts/    the email-draft check: its rules, the applicant's own text in a thread, the check, its scoring
    reader/    the question encoder trained on labelled asks, the ranker and abstention check fitted to it

`make index`: guides -> model -> store, and the reader trained against that store.
A message: query -> ranking -> answer (the service batches the encoding between embedding_texts and answer).
"""
