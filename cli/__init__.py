"""The `cchc` command: the top floor, calling the service and the evaluation."""
