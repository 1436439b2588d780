"""What the Slack app keeps: the log of status messages sent to the people who asked in Slack."""

from django.db import models

from intake.models import Idea


class SlackNotification(models.Model):
    """One direct message telling a Slack user that an idea they sent reached a status.

    Claimed (sent_at set) before the message goes out, so that a retried handler never sends
    it twice; a failure clears the claim and keeps the error.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Idea.Status.choices)
    slack_user_id = models.CharField("Slack user", max_length=40)
    text = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "status", "slack_user_id"], name="slacknotification_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slack_user_id}: {self.idea_id} {self.status}"
