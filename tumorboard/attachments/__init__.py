"""Key images, micrographs and reports attached to a case."""
