GB().run('x', noScan=1)
