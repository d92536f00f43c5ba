/// A query after `Database.close()`: a programming or shutdown-order error, answered as a 500.
struct DatabaseClosed: Error {}
