"""Screens of the recommender app (modal dialogs and the help screen)."""
