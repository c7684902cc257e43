"""The domain: pure rules, models and computations of the AMI; no AWS, no I/O beyond package data."""
