GB().collect(1)
