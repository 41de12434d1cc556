"""Domain errors: each carries a one-line message fit for a CLI or a log line."""


class AdvisorError(Exception):
    """Base class for every error the Advisor reports to a person."""


class ContentError(AdvisorError):
    """A guide in the content folder is missing or malformed."""


class ModelError(AdvisorError):
    """The embedding model is missing or its weights fail verification."""


class IndexMissingError(AdvisorError):
    """No index has been built yet."""


class IndexInvalidError(AdvisorError):
    """The index on disk is corrupt, truncated, or does not match the content or model."""
