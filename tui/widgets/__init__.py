"""Widgets of the recommender app."""
