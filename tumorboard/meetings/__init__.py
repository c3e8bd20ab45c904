"""Boards, meetings, agendas and attendance."""
