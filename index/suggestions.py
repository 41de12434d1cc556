"""Where `api/widget.py` (the widget branch's file, issue 16) still looks for the suggestions: they live in
index/guides/suggestions.py. Delete this module when that import is changed."""

from index.guides.suggestions import guide_suggestions, near_section

__all__ = ["guide_suggestions", "near_section"]
