//! The built-in exercise catalogue, inserted by a migration so that every database has it
//! from the start: (name, category, primary muscle group, description).

/// Categories of exercise.
pub const CATEGORIES: [&str; 4] = ["cardio", "strength", "flexibility", "balance"];

/// Primary muscle groups.
pub const MUSCLE_GROUPS: [&str; 7] = [
    "chest",
    "back",
    "legs",
    "shoulders",
    "arms",
    "core",
    "full body",
];

/// The catalogue.
#[rustfmt::skip]
pub const EXERCISES: &[(&str, &str, &str, &str)] = &[
    ("Bench Press", "strength", "chest", "Lie on a flat bench and press a barbell from the chest to straight arms."),
    ("Incline Bench Press", "strength", "chest", "Barbell press on a bench inclined 30 to 45 degrees, for the upper chest."),
    ("Dumbbell Fly", "strength", "chest", "Lying on a bench, open the arms wide with dumbbells and bring them together over the chest."),
    ("Push-Up", "strength", "chest", "From a plank on the hands, lower the chest to the floor and push back up."),
    ("Chest Dip", "strength", "chest", "On parallel bars, lean forward and lower the body by bending the elbows, then press up."),
    ("Cable Crossover", "strength", "chest", "Pull two high cable handles down and together in front of the chest."),
    ("Deadlift", "strength", "back", "Lift a barbell from the floor to standing by extending the hips and knees, back flat."),
    ("Pull-Up", "strength", "back", "Hang from a bar with an overhand grip and pull the chin above it."),
    ("Chin-Up", "strength", "back", "Pull-up with an underhand grip, shoulder-width."),
    ("Barbell Row", "strength", "back", "Hinged at the hips, row a barbell to the lower ribs."),
    ("Lat Pulldown", "strength", "back", "Seated at a cable station, pull a wide bar down to the upper chest."),
    ("Seated Cable Row", "strength", "back", "Seated, pull a cable handle to the stomach, squeezing the shoulder blades."),
    ("One-Arm Dumbbell Row", "strength", "back", "One hand and knee on a bench, row a dumbbell to the hip."),
    ("Back Extension", "strength", "back", "On a hyperextension bench, lower the torso and raise it back in line with the legs."),
    ("Back Squat", "strength", "legs", "With a barbell on the upper back, squat until the thighs are at least parallel, then stand."),
    ("Front Squat", "strength", "legs", "Squat with the barbell held across the front of the shoulders."),
    ("Leg Press", "strength", "legs", "On a leg press machine, push the platform away until the legs are nearly straight."),
    ("Walking Lunge", "strength", "legs", "Step forward into a lunge, knee just above the floor, and step through into the next."),
    ("Romanian Deadlift", "strength", "legs", "With soft knees, hinge at the hips lowering the bar along the legs, then stand."),
    ("Bulgarian Split Squat", "strength", "legs", "Rear foot on a bench, squat on the front leg."),
    ("Leg Curl", "strength", "legs", "On a machine, curl the heels toward the glutes against resistance."),
    ("Leg Extension", "strength", "legs", "Seated on a machine, straighten the knees against resistance."),
    ("Standing Calf Raise", "strength", "legs", "Rise onto the toes under load, then lower the heels below the step."),
    ("Hip Thrust", "strength", "legs", "Shoulders on a bench, drive a loaded bar up by extending the hips."),
    ("Overhead Press", "strength", "shoulders", "Standing, press a barbell from the shoulders to straight arms overhead."),
    ("Seated Dumbbell Press", "strength", "shoulders", "Seated, press two dumbbells from shoulder height to overhead."),
    ("Lateral Raise", "strength", "shoulders", "Raise dumbbells out to the sides to shoulder height."),
    ("Front Raise", "strength", "shoulders", "Raise a dumbbell or plate in front of the body to shoulder height."),
    ("Face Pull", "strength", "shoulders", "Pull a rope on a high cable toward the face, elbows high."),
    ("Arnold Press", "strength", "shoulders", "Dumbbell press that rotates the palms from facing you to facing forward."),
    ("Barbell Curl", "strength", "arms", "Curl a barbell from the thighs to the shoulders, elbows still."),
    ("Hammer Curl", "strength", "arms", "Curl dumbbells with the palms facing each other."),
    ("Triceps Pushdown", "strength", "arms", "At a high cable, push a bar or rope down until the elbows are straight."),
    ("Skull Crusher", "strength", "arms", "Lying, lower a bar toward the forehead by bending the elbows, then extend."),
    ("Close-Grip Bench Press", "strength", "arms", "Bench press with the hands shoulder-width or closer, for the triceps."),
    ("Concentration Curl", "strength", "arms", "Seated, elbow against the inner thigh, curl one dumbbell."),
    ("Plank", "strength", "core", "Hold a straight line from head to heels on the forearms and toes."),
    ("Side Plank", "strength", "core", "Hold the body straight on one forearm and the side of one foot."),
    ("Crunch", "strength", "core", "Lying with bent knees, curl the shoulders off the floor."),
    ("Hanging Leg Raise", "strength", "core", "Hanging from a bar, raise straight legs to hip height or above."),
    ("Russian Twist", "strength", "core", "Seated with the feet raised, rotate the torso side to side."),
    ("Ab Wheel Rollout", "strength", "core", "Kneeling, roll a wheel forward until the body is extended, then roll back."),
    ("Dead Bug", "strength", "core", "On the back, lower the opposite arm and leg while keeping the lower back down."),
    ("Running", "cardio", "full body", "Running outdoors or on a treadmill; log duration and distance."),
    ("Cycling", "cardio", "legs", "Cycling on a bike or stationary trainer; log duration and distance."),
    ("Rowing Machine", "cardio", "full body", "Rowing on an ergometer; log duration and distance."),
    ("Swimming", "cardio", "full body", "Swimming laps in any stroke; log duration and distance."),
    ("Jump Rope", "cardio", "full body", "Skipping rope continuously; log duration."),
    ("Stair Climber", "cardio", "legs", "Climbing on a stair machine; log duration."),
    ("Burpee", "cardio", "full body", "Squat, kick back to a plank, push up, jump up; repeat."),
    ("Kettlebell Swing", "strength", "full body", "Swing a kettlebell to chest height by snapping the hips forward."),
    ("Mountain Climber", "cardio", "core", "In a plank, drive the knees toward the chest alternately and fast."),
    ("Elliptical Trainer", "cardio", "full body", "Striding on an elliptical machine; log duration and distance."),
    ("Walking", "cardio", "legs", "Brisk walking; log duration and distance."),
    ("Hamstring Stretch", "flexibility", "legs", "Reach toward the toes of a straight leg and hold."),
    ("Hip Flexor Stretch", "flexibility", "legs", "In a half-kneeling lunge, push the hips forward and hold."),
    ("Child's Pose", "flexibility", "back", "Kneel, sit back on the heels and stretch the arms forward on the floor."),
    ("Cat-Cow", "flexibility", "back", "On hands and knees, alternate arching and rounding the spine."),
    ("Doorway Chest Stretch", "flexibility", "chest", "Forearms on a door frame, step through until the chest stretches."),
    ("Cross-Body Shoulder Stretch", "flexibility", "shoulders", "Pull one straight arm across the chest and hold."),
    ("Downward Dog", "flexibility", "full body", "From hands and feet, push the hips up and back into an inverted V."),
    ("Single-Leg Stand", "balance", "legs", "Stand on one leg, eyes open or closed, and hold."),
    ("Bosu Squat", "balance", "legs", "Squat while standing on the flat side of a Bosu ball."),
    ("Tree Pose", "balance", "legs", "Stand on one leg with the other foot against the inner thigh, hands together."),
    ("Bird Dog", "balance", "core", "On hands and knees, extend the opposite arm and leg and hold."),
    ("Single-Leg Deadlift", "balance", "legs", "Hinge on one leg, the other extending behind, and return."),
    ("Heel-to-Toe Walk", "balance", "legs", "Walk in a straight line placing the heel directly before the toes."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_sixty_unique_well_classified_exercises() {
        assert!(EXERCISES.len() >= 60, "{}", EXERCISES.len());
        let mut names: Vec<String> = EXERCISES.iter().map(|e| e.0.to_lowercase()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EXERCISES.len(), "names are unique");
        for (name, category, muscle, description) in EXERCISES {
            assert!(CATEGORIES.contains(category), "{name}: {category}");
            assert!(MUSCLE_GROUPS.contains(muscle), "{name}: {muscle}");
            assert!(!description.is_empty());
        }
        for category in CATEGORIES {
            assert!(
                EXERCISES.iter().any(|e| e.1 == category),
                "{category} is used"
            );
        }
    }
}
