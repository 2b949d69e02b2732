"""Our own plate detector and OCR: synthetic UK data, training, ONNX export, model cards."""
