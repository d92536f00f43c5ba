import Foundation

/// A deal entering a stage: one row of the append-only stage history.
package struct StageTransition: Sendable, Equatable {
    package var id: String
    package var workspaceID: String
    package var dealID: String
    package var pipelineID: String
    /// The stage it left; nil when the deal was created (or moved in from another pipeline).
    package var fromStageID: String?
    package var stageID: String
    package var enteredAt: Int64
    package var actor: Actor

    package init(
        id: String = RecordID.make(), workspaceID: String, dealID: String, pipelineID: String, fromStageID: String?,
        stageID: String, enteredAt: Int64, actor: Actor
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.dealID = dealID
        self.pipelineID = pipelineID
        self.fromStageID = fromStageID
        self.stageID = stageID
        self.enteredAt = enteredAt
        self.actor = actor
    }
}
