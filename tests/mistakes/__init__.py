"""Wrong and correct implementations of each chapter's graded functions, as data."""
