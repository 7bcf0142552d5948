"""annual-report: a year's figures and text -> a finished Word report in house style."""

__version__ = "0.1.0"
