"""Documents that leave the board as PDF: case summary, board pack, outcome
letter, minutes."""
