// No native extractor here: failing to load makes msgpackr use its JavaScript string decoding.
throw new Error('msgpackr-extract is not installed: Wren runs msgpackr in pure JavaScript');
