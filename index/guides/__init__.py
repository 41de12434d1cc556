"""Guides as written: Markdown with front matter -> blocks -> passages (chunks) -> answer units; suggestions."""
