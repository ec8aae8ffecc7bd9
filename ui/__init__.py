"""Streamlit glue shared by the pages: navigation, session state, caches, charts, tables."""
