"""The tutor: dialogue, generation and grounding. Knows no chat platform."""
