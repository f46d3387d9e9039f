"""Answering a question from the course material: retrieve → generate → check."""
