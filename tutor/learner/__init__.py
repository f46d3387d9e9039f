"""The learner model: features of a learner's history, the MLP that predicts their
next answer, the baselines it is measured against, and simulated learners."""
