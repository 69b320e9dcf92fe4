GB().run('nothing-here:*')
