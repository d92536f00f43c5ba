/// A user's teams and teammates (the members of any of their teams, the user included), as record
/// visibility by team needs them.
package struct TeamFacts: Sendable, Equatable {
    package var teams: [String]
    package var teammates: [String]

    package init(teams: [String], teammates: [String]) {
        self.teams = teams
        self.teammates = teammates
    }
}
