"""When a model kept in the warehouse may be used again instead of training anew: trained
today (UTC) on a population of about the same size. Shared by the matcher's model and the
churn model."""

from datetime import UTC, datetime

# A population that grew or shrank by more than this since the training is trained anew.
MAX_DRIFT = 0.10


def still_usable(trained_at: datetime, trained_on: int, population: int) -> bool:
    """`trained_at`: naive UTC, as kept; `trained_on`: the population it was trained on."""
    same_day = trained_at.date() == datetime.now(UTC).date()
    return same_day and abs(population - trained_on) <= MAX_DRIFT * trained_on


def now_utc() -> datetime:
    """The training time as kept: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
