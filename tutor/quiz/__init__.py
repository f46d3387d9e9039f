"""Tutoring: the question bank (generated from the material, validated before any
learner sees it), and, next, quizzes, grading, coaching and mastery."""
