GB().count().run('cnt-none:*')
