"""Course material: convert, chunk, embed, index, retrieve. Knows nothing about learners."""
