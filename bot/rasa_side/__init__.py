"""What runs inside the Rasa server (Python 3.10, ``.venv-rasa``), loaded by Rasa from
``credentials.yml`` (``channels``) and ``endpoints.yml`` (``stores``, ``locks``), and the Rasa
patches (``patches``), installed by ``python -m bot.rasa_side``, which starts Rasa. Imports only
``bot.core`` of ours.
"""
