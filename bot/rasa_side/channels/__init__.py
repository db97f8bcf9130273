"""Customer channels that run inside the Rasa server: Messenger and the web widget."""
