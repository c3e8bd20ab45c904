"""Documents that leave the board as PDF: case summary, outcome letter, minutes."""
