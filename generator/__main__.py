from generator.launcher import entry

entry()
