"""The edge agent: capture, gate, detect, rectify, OCR, track, publish. One module per stage."""
