"""The bundled MiniLM: its files and their checks, its ONNX export, and the encoder that runs it."""
