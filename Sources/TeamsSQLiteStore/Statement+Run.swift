import GRDB

extension Statement {
    /// Binds `arguments`, one per placeholder in order, and runs the statement.
    ///
    /// GRDB's `execute(arguments:)` checks the arguments against the statement and binds
    /// them through a closure per value, each retaining and releasing them; on the write
    /// path that cost more than SQLite's step. Each statement of this store has its
    /// arguments fixed by its SQL, so they are checked in debug builds only.
    func run(_ arguments: StatementArguments) throws {
        assert((try? validateArguments(arguments)) != nil, "arguments that do not fit \(sql)")
        setUncheckedArguments(arguments)
        try execute()
    }
}
