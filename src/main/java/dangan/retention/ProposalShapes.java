package dangan.retention;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * What the destruction proposals' API answers (D-31, D-32), as JSON with snake_case keys: a proposal with
 * its lines, a filed deletion request, a decision. {@link ProposalStore} reads them; {@link DestructionProposals}
 * returns them.
 */
public final class ProposalShapes {

    private ProposalShapes() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Proposal(long id, String reason, String filedBy, OffsetDateTime filedAt, String asOf, String note,
                           String status, OffsetDateTime decidedAt, long lineCount, long pendingCount, List<Line> lines) {

        Proposal withLines(List<Line> lines) {
            return new Proposal(id, reason, filedBy, filedAt, asOf, note, status, decidedAt, lineCount, pendingCount, lines);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Line(int lineNo, String archiveNo, String scope, OffsetDateTime lastActivity, Long subjectRequestId,
                       String status, String decidedBy, OffsetDateTime decidedAt, String decisionReason, Long destructionId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Filed(long proposalId, long subjectRequestId, String archiveNo, OffsetDateTime dueAt, String status) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Decided(long proposalId, String method, List<Line> lines, String proposalStatus) {
    }
}
