GB().count().run('cnt:*')
