"""entente: model, negotiate, write and audit international agreements."""
