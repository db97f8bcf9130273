"""Custom actions served by rasa-sdk: thin wrappers that call the brain in ``bot``."""
