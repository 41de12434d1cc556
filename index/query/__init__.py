"""Reading a message: its asks, situation and follow-ups; the field's vocabulary; spelling repair."""
