"""Trợ lý CCHC: the ground floor every layer may import — settings and domain errors, nothing else."""
