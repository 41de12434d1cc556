"""Domain errors: each carries a one-line message fit for a CLI or a log line."""


class AdvisorError(Exception):
    """Base class for every error the Advisor reports to a person."""


class ContentError(AdvisorError):
    """A guide in the content folder is missing or malformed."""


class ModelError(AdvisorError):
    """The embedding model is missing or its weights fail verification."""


class StoreMissingError(AdvisorError):
    """No vector store has been built yet (`make index` builds it)."""


class StoreInvalidError(AdvisorError):
    """The vector store on disk is corrupt, truncated, or does not match the content, model, reader or pipeline."""


class SettingsError(AdvisorError):
    """An ADVISOR_* environment variable holds a value the service cannot use."""
