"""Long work says where it is and about how long is left."""

from orchestration.progress import Progress


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_left_is_the_mean_step_so_far_times_the_steps_left():
    clock = Clock()
    progress = Progress(4, clock=clock)
    clock.now += 10
    assert progress.step("file a") == "[1/4] file a (about 30 s left)"
    clock.now += 50  # slower steps raise the estimate: 60 s for 2, 2 left
    assert progress.step("file b") == "[2/4] file b (about 1 min 00 s left)"
    clock.now += 90
    assert progress.step("file c") == "[3/4] file c (about 50 s left)"


def test_the_last_step_says_how_long_the_whole_took():
    clock = Clock()
    progress = Progress(1, clock=clock)
    clock.now += 125.4
    assert progress.step("dbt model x") == "[1/1] dbt model x (done in 2 min 05 s)"


def test_a_total_learnt_late_counts_from_the_start():
    clock = Clock()
    progress = Progress(0, clock=clock)
    clock.now += 6
    progress.total = 3
    assert progress.step("file a") == "[1/3] file a (about 12 s left)"


def test_lines_kept_to_one_every_few_seconds_still_tell_the_first_and_the_last_step():
    clock = Clock()
    progress = Progress(5, clock=clock)
    told = []
    for step in range(5):
        clock.now += 2
        progress.step(f"file {step}")
        told.append(progress.due(5))
    # 2 s a step: the first, then once 5 s have passed since (the fourth), then the last.
    assert told == [True, False, False, True, True]
